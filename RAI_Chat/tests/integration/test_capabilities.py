"""``GET /api/capabilities``: the limits the page checks before sending, read from the
server's settings (never copied into the page), and whether web search is available."""

from RAI_Chat.backend.app import create_app

from ..conftest import AuthHelper, make_settings


def test_capabilities_come_from_the_servers_settings(client, auth, app):
    headers = auth.headers()
    settings = app.extensions["rai_settings"]
    body = client.get("/api/capabilities", headers=headers).get_json()
    assert body == {
        "status": "success",
        "max_message_chars": settings.max_message_chars,
        "max_import_bytes": settings.max_import_bytes,
        "web_search": False,
    }
    settings.max_message_chars = 1234
    body = client.get("/api/capabilities", headers=headers).get_json()
    assert body["max_message_chars"] == 1234


def test_capabilities_say_when_web_search_is_configured(db_url, tmp_path):
    app = create_app(make_settings(db_url, tmp_path, searxng_url="http://127.0.0.1:9"))
    try:
        client = app.test_client()
        headers = AuthHelper(client).headers()
        body = client.get("/api/capabilities", headers=headers).get_json()
        assert body["web_search"] is True
    finally:
        app.extensions["rai_database"].dispose()


def test_capabilities_need_a_token(client):
    response = client.get("/api/capabilities")
    assert response.status_code == 401
    assert response.get_json()["status"] == "error"
