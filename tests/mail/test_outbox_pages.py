"""The outbox pages take any page number a browser can send."""


def test_absurd_page_numbers_do_not_break_the_outbox(organiser_client):
    for page in ("1000000000000000000", "-5", "0", "abc"):
        assert organiser_client.get(f"/admin/outbox/?page={page}").status_code == 200
