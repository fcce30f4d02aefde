"""Online safety briefing (安全交底) and quiz (issue 7): random questions with shuffled
options, pass mark, attempts and 复训 interval per course; results recorded with answers;
a pass required for the gate; no skipping ahead in the video unless allowed; the video
served with range requests; 待复训 by category."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from safework.certificates.qualification import qualification
from safework.contractors import services
from safework.contractors.admission import add_months
from safework.contractors.models import QuizAttempt
from safework.contractors.selectors import retraining_due
from safework.core.clock import today
from safework.core.errors import ValidationFailed
from safework.people.models import Person

from .conftest import admit, certify, correct_answers, wrong_answers

MEDIA = Path(__file__).parent / "media"


def video(name="briefing.mp4") -> SimpleUploadedFile:
    data = (MEDIA / name).read_bytes()
    return SimpleUploadedFile(name, data, content_type="video/mp4")


def reasons(worker):
    return qualification(Person.objects.get(pk=worker.person_id), "MEM-2.1", today()).reasons


def test_quiz_draws_at_random_with_shuffled_options(course, worker):
    papers = set()
    orders = set()
    for _ in range(12):
        attempt = services.quiz_start(person=worker.person, course=course)
        assert len(attempt.paper) == 4 and len({p["q"] for p in attempt.paper}) == 4
        papers.add(tuple(sorted(p["q"] for p in attempt.paper)))
        orders.update(tuple(p["o"]) for p in attempt.paper if len(p["o"]) == 3)
        QuizAttempt.objects.filter(pk=attempt.pk).delete()  # draw again
    assert len(papers) > 1  # 4 of 6 questions, drawn at random
    assert len(orders) > 4  # the options come in different orders


def test_reopening_the_quiz_does_not_draw_again(course, worker):
    first = services.quiz_start(person=worker.person, course=course)
    assert services.quiz_start(person=worker.person, course=course) == first


def test_a_pass_is_recorded_with_answers_and_counts_for_the_retraining_interval(
    manager, admin, course, worker, site
):
    certify(worker)
    admit(manager, admin, worker, site, insurance_until=today() + timedelta(days=800))
    assert reasons(worker) == ("briefing_not_passed",)  # the course is required at the site
    attempt = services.quiz_start(person=worker.person, course=course)
    answers = correct_answers(attempt)
    attempt = services.quiz_submit(attempt=attempt, answers=answers)
    assert (attempt.passed, attempt.score, attempt.correct, attempt.total) == (True, 100, 4, 4)
    assert attempt.valid_until == add_months(today(), 12)
    assert attempt.answers == {str(q): sorted(c) for q, c in answers.items()}
    assert reasons(worker) == ()
    last_day = attempt.valid_until
    person = Person.objects.get(pk=worker.person_id)
    assert qualification(person, "MEM-2.1", last_day).reasons == ()
    assert qualification(person, "MEM-2.1", last_day + timedelta(days=1)).reasons == (
        "briefing_not_passed",
    )


def test_a_failed_quiz_then_retakes_running_out(manager, admin, admin_user, course, worker):
    from safework.alerts.models import InboxItem

    person = worker.person
    first = services.quiz_submit(
        attempt=services.quiz_start(person=person, course=course),
        answers=wrong_answers(services.quiz_start(person=person, course=course)),
    )
    assert (first.passed, first.score, first.valid_until) == (False, 0, None)
    assert services.attempts_left(person, course) == 1
    second = services.quiz_start(person=person, course=course)
    assert second != first
    services.quiz_submit(attempt=second, answers={})  # nothing answered: wrong
    assert services.attempts_left(person, course) == 0
    with pytest.raises(ValidationFailed):
        services.quiz_start(person=person, course=course)
    assert InboxItem.objects.filter(user=admin_user, title__contains=person.name).exists()
    # The safety manager grants a new set of attempts (after retraining on site).
    services.attempts_reset(actor=manager, person=person, course=course)
    assert services.attempts_left(person, course) == 2


def test_half_right_is_below_the_pass_mark(course, worker):
    attempt = services.quiz_start(person=worker.person, course=course)
    right, wrong = correct_answers(attempt), wrong_answers(attempt)
    ids = [p["q"] for p in attempt.paper]
    answers = {q: (right[q] if i < 2 else wrong[q]) for i, q in enumerate(ids)}
    attempt = services.quiz_submit(attempt=attempt, answers=answers)
    assert (attempt.score, attempt.passed) == (50, False)


def test_an_answer_not_on_the_paper_counts_for_nothing(course, worker):
    attempt = services.quiz_start(person=worker.person, course=course)
    stray = {p["q"]: [999_999] for p in attempt.paper}
    assert services.quiz_submit(attempt=attempt, answers=stray).correct == 0


def test_a_quiz_is_handed_in_once(course, worker):
    attempt = services.quiz_start(person=worker.person, course=course)
    services.quiz_submit(attempt=attempt, answers=correct_answers(attempt))
    with pytest.raises(ValidationFailed):
        services.quiz_submit(attempt=attempt, answers={})


def test_the_video_must_be_watched_and_cannot_be_skipped(manager, course, worker):
    services.course_attach(actor=manager, course=course, video=video())
    course.refresh_from_db()
    assert course.video_seconds == pytest.approx(4.0)
    person, start = worker.person, timezone.now()
    with pytest.raises(ValidationFailed):
        services.quiz_start(person=person, course=course)
    # Jumping to the end on the first report moves only a few seconds ahead.
    progress = services.progress_record(person=person, course=course, position=4, now=start)
    assert progress.watched_seconds == 4  # 5 s of grace cover this short video...
    services.progress_record(person=person, course=course, position=0, now=start)
    assert progress.completed_at is not None


def test_skipping_ahead_is_capped_by_the_time_that_passed(manager, course, worker):
    services.course_attach(actor=manager, course=course, video=video())
    course.video_seconds = 600  # a ten-minute briefing
    course.save()
    person, start = worker.person, timezone.now()
    services.progress_record(person=person, course=course, position=0, now=start)
    later = start + timedelta(seconds=10)
    progress = services.progress_record(person=person, course=course, position=590, now=later)
    assert progress.watched_seconds == pytest.approx(5 + 10 * 1.25)
    assert progress.completed_at is None
    with pytest.raises(ValidationFailed):
        services.quiz_start(person=person, course=course)


def test_a_course_may_allow_skipping(manager, course, worker):
    services.course_attach(actor=manager, course=course, video=video())
    course.allow_skip = True
    course.save()
    progress = services.progress_record(person=worker.person, course=course, position=4)
    assert progress.completed_at is not None
    assert services.quiz_start(person=worker.person, course=course).paper


def test_only_videos_are_accepted(manager, course):
    fake = SimpleUploadedFile("a.mp4", b"MZ\x90\x00" * 100, content_type="video/mp4")
    with pytest.raises(ValidationFailed):
        services.course_attach(actor=manager, course=course, video=fake)


def test_question_rules(manager, course):
    with pytest.raises(ValidationFailed):  # single choice: exactly one correct
        services.question_save(actor=manager, course=course, kind="single", text="x",
                               choices=[("a", True), ("b", True)])  # fmt: skip
    with pytest.raises(ValidationFailed):  # at least two answers
        services.question_save(actor=manager, course=course, kind="multiple", text="x",
                               choices=[("a", True)])  # fmt: skip
    q = services.question_save(actor=manager, course=course, kind="true_false", text="x",
                               choices=[("", False)])  # fmt: skip
    assert [c.correct for c in q.choices.all()] == [False, True]


def test_publishing_needs_questions(manager, site):
    course = services.course_save(actor=manager, title="空", category="通用", pass_mark=80,
                                  questions_per_quiz=5, max_attempts=3, retrain_months=12)  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.course_publish(actor=manager, course=course, published=True)


def test_retraining_due_by_category(manager, course, worker, contractor):
    from .conftest import register

    other = register(manager, contractor, name="赵架子工")
    for person in (worker.person, other.person):
        attempt = services.quiz_start(person=person, course=course)
        services.quiz_submit(attempt=attempt, answers=correct_answers(attempt))
    QuizAttempt.objects.filter(person=worker.person).update(
        valid_until=today() + timedelta(days=20)
    )
    due = retraining_due(actor=manager, on=today())
    assert {category: [a.person.name for a in rows] for category, rows in due.items()} == {
        "动火作业": ["王焊工"]
    }


# --- range requests ----------------------------------------------------------------------------


@pytest.fixture
def signed_in(manager, admin, course, worker, site):
    """The worker, assigned to the course's site, signed in on their phone."""
    services.worker_assign_site(actor=admin, worker=worker, site=site)
    services.course_attach(actor=manager, course=course, video=video())
    client = Client()
    session = client.session
    session["contractors_worker"] = worker.person_id
    session.save()
    return client


def test_the_video_is_served_with_range_requests(signed_in, course):
    data = (MEDIA / "briefing.mp4").read_bytes()
    url = f"/brief/courses/{course.pk}/video"
    whole = signed_in.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == data
    part = signed_in.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert part["Content-Length"] == "100"
    assert b"".join(part.streaming_content) == data[100:200]
    tail = signed_in.get(url, headers={"Range": "bytes=-50"})
    assert b"".join(tail.streaming_content) == data[-50:]
    open_end = signed_in.get(url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert b"".join(open_end.streaming_content) == data[-10:]
    beyond = signed_in.get(url, headers={"Range": f"bytes={len(data) + 5}-"})
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(data)}"


def test_the_video_needs_a_signed_in_worker(course, manager):
    services.course_attach(actor=manager, course=course, video=video())
    response = Client().get(f"/brief/courses/{course.pk}/video")
    assert response.status_code == 302 and response["Location"].startswith("/brief/")


def test_the_phone_pages_walk_through_a_failed_quiz(signed_in, course, worker):
    assert "动火作业安全交底" in signed_in.get("/brief/courses/").content.decode()
    page = signed_in.get(f"/brief/courses/{course.pk}/").content.decode()
    assert 'id="briefing-video"' in page and "disabled" in page  # quiz closed until watched
    signed_in.post(f"/brief/courses/{course.pk}/progress", '{"position": 4, "duration": 4}',
                   content_type="application/json")  # fmt: skip
    quiz = signed_in.get(f"/brief/courses/{course.pk}/quiz/")
    assert quiz.status_code == 200
    result = signed_in.post(f"/brief/courses/{course.pk}/quiz/", {}, follow=True)
    body = result.content.decode()
    assert 'data-passed="no"' in body and 'id="retry"' in body


def test_slides_are_served_to_the_signed_in_worker(signed_in, manager, course):
    pdf = SimpleUploadedFile(
        "slides.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf"
    )
    services.course_attach(actor=manager, course=course, slides=pdf)
    page = signed_in.get(f"/brief/courses/{course.pk}/").content.decode()
    assert f"/brief/courses/{course.pk}/slides" in page and "动火前必须办理作业票。" in page
    slides = signed_in.get(f"/brief/courses/{course.pk}/slides")
    assert slides.status_code == 200 and slides["Content-Type"] == "application/pdf"
    assert Client().get(f"/brief/courses/{course.pk}/slides").status_code == 302
