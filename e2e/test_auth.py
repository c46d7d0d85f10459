"""Sign up, log out and sign in through the real allauth forms (no cookie injection here)."""

import re

from playwright.sync_api import Page, expect

from ahsp.models import User

PASSWORD = "Kuat-sekali-2026!"


def test_sign_up_log_out_and_sign_in(page: Page, live_server, mailoutbox):
    # Sign up
    page.goto("/accounts/signup/")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Daftar")).to_be_visible()
    main.get_by_label("Email").fill("budi@example.com")
    main.get_by_label(re.compile(r"^Sandi")).fill(PASSWORD)
    main.get_by_label(re.compile(r"^Kata sandi \(lagi\)")).fill(PASSWORD)
    main.get_by_role("button", name="Daftar").click()

    # "Check your mail" (the same answer for a registered e-mail: no enumeration), then the mailed link
    expect(page).to_have_url(live_server.url + "/accounts/confirm-email/")
    (link,) = re.findall(r"http://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body)
    page.goto(link)
    page.get_by_role("main").get_by_role("button", name="Konfirmasi").click()

    # Lands on the (empty) dashboard, in Indonesian
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Proyek saya")).to_be_visible()
    expect(page.get_by_text("Belum ada proyek. Buat proyek pertama Anda.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Menu utama")).to_contain_text("budi@example.com")
    assert User.objects.filter(email="budi@example.com").exists()

    # Log out
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(live_server.url + "/accounts/login/")
    expect(page.get_by_role("button", name="Keluar")).to_have_count(0)

    # Sign in again
    main = page.get_by_role("main")
    main.get_by_label("Email").fill("budi@example.com")
    main.get_by_label(re.compile(r"^Sandi")).fill(PASSWORD)
    main.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Proyek saya")).to_be_visible()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
