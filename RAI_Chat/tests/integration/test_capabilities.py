"""``GET /api/capabilities``: the limits the page checks before sending, read from the
server's settings (never copied into the page), and whether web search is available."""


def test_capabilities_come_from_the_servers_settings(client, auth, app):
    headers = auth.headers()
    body = client.get("/api/capabilities", headers=headers).get_json()
    assert body == {
        "status": "success",
        "max_message_chars": app.config["MAX_MESSAGE_CHARS"],
        "max_import_bytes": app.config["MAX_IMPORT_BYTES"],
        "web_search": False,
    }
    app.config["MAX_MESSAGE_CHARS"] = 1234
    app.config["SEARXNG_URL"] = "http://127.0.0.1:9"
    body = client.get("/api/capabilities", headers=headers).get_json()
    assert body["max_message_chars"] == 1234 and body["web_search"] is True


def test_capabilities_need_a_token(client):
    response = client.get("/api/capabilities")
    assert response.status_code == 401
    assert response.get_json()["status"] == "error"
