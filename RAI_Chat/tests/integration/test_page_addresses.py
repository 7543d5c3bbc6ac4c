"""The web page answers at each of its addresses (``/c/<session id>``, ``/settings``,
``/memory``) with index.html whose ``<base href>`` says where the page lives, so that its
files (relative paths) load from any address and under a sub-path behind a proxy."""

import uuid

import pytest

from RAI_Chat.backend import app as app_module

INDEX = (
    '<!doctype html><html><head><base href="/" />'
    '<script src="./assets/app.js"></script></head></html>'
)


@pytest.fixture
def page(client, tmp_path, monkeypatch):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app.js").write_text("console.log('page')")
    monkeypatch.setattr(app_module, "FRONTEND_DIST_DIR", dist)
    return client


@pytest.mark.parametrize("path", ["/", f"/c/{uuid.uuid4()}", "/settings", "/memory", "/c/x/"])
def test_every_address_of_the_page_gets_the_page_with_its_base(page, path):
    response = page.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert '<base href="/" />' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_pages_files_are_served_and_a_missing_one_is_a_json_404(page):
    assert page.get("/assets/app.js").get_data(as_text=True) == "console.log('page')"
    missing = page.get("/assets/gone.js")
    assert missing.status_code == 404
    assert missing.get_json()["status"] == "error"


def test_under_a_sub_path_the_base_is_the_sub_path(page):
    response = page.get(f"/c/{uuid.uuid4()}", base_url="http://localhost/rai/")
    assert '<base href="/rai/" />' in response.get_data(as_text=True)


def test_a_forwarded_prefix_counts_only_from_a_trusted_proxy(page, app):
    headers = {"X-Forwarded-Prefix": "/chat"}
    assert '<base href="/" />' in page.get("/settings", headers=headers).get_data(as_text=True)
    app.extensions["rai_settings"].ratelimit_trusted_proxies = 1
    assert '<base href="/chat/" />' in page.get("/settings", headers=headers).get_data(as_text=True)
    hostile = page.get("/settings", headers={"X-Forwarded-Prefix": '/"><script>x()</script>'})
    body = hostile.get_data(as_text=True)
    assert '<base href="/" />' in body and "<script>x()" not in body
