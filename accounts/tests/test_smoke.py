def test_me(auth_client, user):
    response = auth_client.get("/api/v1/users/me")
    assert response.status_code == 200
    assert response.json()["email"] == user.email
