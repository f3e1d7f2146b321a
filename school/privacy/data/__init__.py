"""Personal data: the registry that declares every column, file, cookie and log line about a
person (``registry``), and what reads through it: one person's rows (``personal_data``), what
a person is shown (``holdings``), export, erasure and retention."""
