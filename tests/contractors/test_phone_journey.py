"""Issue 7: a worker on a phone-sized screen signs in with ID number + mobile number +
the SMS code (read from the outbox, where the SMS waits for delivery), cannot skip ahead
in the briefing video, watches it to the end, fails the quiz, tries again and passes.
Playwright driving Debian's chromium against the live server."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from safework.alerts import config
from safework.alerts.models import ChannelConfig, Notification
from safework.contractors import services
from safework.contractors.models import Choice, QuizAttempt

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MEDIA = Path(__file__).parent / "media"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
        is_mobile=True, has_touch=True, base_url=live_server.url,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def journey(manager, admin, worker, site, course):
    ChannelConfig.objects.create(
        channel="sms_aliyun",
        settings_encrypted=config.encrypt("sms_aliyun", {
            "access_key_id": "id", "access_key_secret": "s", "sign_name": "某化工",
            "template_code": "SMS_1", "endpoint": "http://127.0.0.1:9/",
        }),
    )  # fmt: skip
    services.worker_assign_site(actor=admin, worker=worker, site=site)
    webm = SimpleUploadedFile("b.webm", (MEDIA / "briefing.webm").read_bytes(), "video/webm")
    services.course_attach(actor=manager, course=course, video=webm)
    return {"worker": worker, "course": course}


def _sign_in(page, worker):
    page.goto("/brief/")
    page.fill("#id_id_number", worker.person.full_id_number())
    page.fill("#id_phone", worker.person.phone)
    page.click("#send-code")
    page.wait_for_selector("#id_code")
    code = (
        Notification.objects.filter(person=worker.person).latest("id").payload["sms_params"]["code"]
    )
    page.fill("#id_code", code)
    page.click("#signin")
    page.wait_for_url("**/brief/courses/")


def _answer(page, attempt, right: bool):
    for part in attempt.paper:
        correct = set(
            Choice.objects.filter(question_id=part["q"], correct=True).values_list("pk", flat=True)
        )
        chosen = correct if right else [o for o in part["o"] if o not in correct][:1]
        for option in chosen:
            page.check(f"#o{option}")


def test_briefing_and_quiz_on_a_phone(phone, journey):
    worker, course = journey["worker"], journey["course"]
    _sign_in(phone, worker)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    phone.click(f"[data-course='{course.pk}']")
    button = phone.locator("#quiz-button")
    assert "disabled" in button.get_attribute("class")
    phone.wait_for_function("document.getElementById('briefing-video').readyState >= 1")
    # Skipping ahead is put back where the worker was.
    phone.evaluate("document.getElementById('briefing-video').currentTime = 3.5")
    phone.wait_for_timeout(300)
    assert phone.evaluate("document.getElementById('briefing-video').currentTime") < 1
    phone.evaluate(
        "(v => { v.muted = true; return v.play(); })(document.getElementById('briefing-video'))"
    )
    phone.wait_for_function("document.getElementById('briefing-video').ended", timeout=20_000)
    phone.wait_for_function(
        "!document.getElementById('quiz-button').classList.contains('disabled')"
    )

    button.click()
    phone.wait_for_selector("#quiz-form")
    attempt = QuizAttempt.objects.get(person=worker.person, submitted_at=None)
    assert phone.locator("fieldset[data-question]").count() == 4
    _answer(phone, attempt, right=False)
    phone.click("#hand-in")
    phone.wait_for_selector("#result[data-passed='no']")
    assert "1" in phone.inner_text("#result")  # one attempt left

    phone.click("#retry")
    phone.click("#quiz-button")
    phone.wait_for_selector("#quiz-form")
    attempt = QuizAttempt.objects.get(person=worker.person, submitted_at=None)
    _answer(phone, attempt, right=True)
    phone.click("#hand-in")
    phone.wait_for_selector("#result[data-passed='yes']")
    assert "100" in phone.inner_text("#result")
    phone.click("text=我的安全交底")
    assert phone.locator(f"[data-course='{course.pk}'] [data-passed]").count() == 1
    passed = QuizAttempt.objects.get(person=worker.person, passed=True)
    assert passed.answers and passed.valid_until is not None
