from tests.conftest import login


def test_admin_logs_in_and_sees_home(client, make_user):
    make_user("admin1", "admin")
    r = login(client, "admin1", follow=True)
    assert r.status_code == 200
    assert "工作台" in r.get_data(as_text=True)
