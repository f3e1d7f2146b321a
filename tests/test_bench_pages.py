"""The benchmark times the pages it names: on a tiny school, each answers 200 in-process to
the visitor the bench signs in as, and shows the text that proves it is that page rather
than a redirect, an error or an empty list."""

import shutil

from bench.inprocess import _signed_in_client
from bench.scale import TINY
from bench.web import make_school, pages


def test_every_page_the_bench_times_shows_what_it_expects():
    instance, app, school, _seconds = make_school(TINY)
    try:
        clients: dict = {}
        for label, path, who, expect, *_targets in pages(school.course_slug):
            client = clients.get(who) or clients.setdefault(who, _signed_in_client(app, who))
            response = client.get(path)
            assert response.status_code == 200, label
            if expect:
                assert expect in response.get_data(as_text=True), label
    finally:
        shutil.rmtree(instance, ignore_errors=True)
