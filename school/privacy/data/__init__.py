"""Personal data, the privacy core: the registry that declares every column, file, cookie and
log line about a person (``registry``), and what reads through it: one person's rows
(``personal_data``), what a person is shown (``holdings``), who receives data
(``recipients``), export, erasure and retention.

It sits just above plumbing and imports no feature: domains register erasure hooks,
retention rules (each keyed to a declared period), the export's photo source and the
processor list at start-up, and the core calls what it was given."""
