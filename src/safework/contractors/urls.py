from django.urls import path

from . import phone, views, views_setup

app_name = "contractors"
urlpatterns = [
    path("", views.index, name="index"),
    path("portal/", views.portal, name="portal"),
    path("register/", views.register, name="register"),
    path("admins/new/", views.admin_create, name="admin_create"),
    path("workers/", views.workers, name="workers"),
    path("workers/new/", views.worker_create, name="worker_create"),
    path("workers/import/", views.worker_import, name="worker_import"),
    path("workers/import/<int:pk>/", views.worker_import_preview, name="worker_import_preview"),
    path("workers/<int:pk>/", views.worker_detail, name="worker"),
    path("workers/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("workers/<int:pk>/sites/", views.assign, name="assign"),
    path("workers/<int:pk>/kind/", views.set_kind, name="set_kind"),
    path("workers/<int:pk>/release/", views.release, name="release"),
    path("admissions/<int:pk>/submit/", views.admission_submit, name="admission_submit"),
    path("documents/<int:pk>/", views.document_file, name="document_file"),
    path("documents/<int:pk>/review/", views.document_review, name="document_review"),
    path("review/", views.review, name="review"),
    path("checklists/", views_setup.checklists, name="checklists"),
    path("checklists/<int:pk>/active/", views_setup.checklist_active, name="checklist_active"),
    path("courses/", views_setup.courses, name="courses"),
    path("courses/new/", views_setup.course_create, name="course_create"),
    path("courses/<int:pk>/", views_setup.course_detail, name="course"),
    path("courses/<int:pk>/media/", views_setup.course_media, name="course_media"),
    path("courses/<int:pk>/video", views.video, name="course_video"),
    path("courses/<int:pk>/questions/", views_setup.question_add, name="question_add"),
    path("courses/<int:pk>/publish/", views_setup.course_publish, name="course_publish"),
    path("courses/<int:pk>/reset/", views_setup.attempts_reset, name="attempts_reset"),
    path("questions/<int:pk>/active/", views_setup.question_active, name="question_active"),
    path("retraining/", views_setup.retraining, name="retraining"),
    path("attendance/", views_setup.attendance, name="attendance"),
]

# The workers' phone pages, included at /brief/ (a short URL for the QR code on site).
worker_urlpatterns = (
    [
        path("", phone.signin, name="signin"),
        path("signout/", phone.signout, name="signout"),
        path("courses/", phone.courses, name="courses"),
        path("courses/<int:pk>/", phone.course, name="course"),
        path("courses/<int:pk>/video", phone.course_video, name="video"),
        path("courses/<int:pk>/slides", phone.course_slides, name="slides"),
        path("courses/<int:pk>/progress", phone.course_progress, name="progress"),
        path("courses/<int:pk>/quiz/", phone.quiz, name="quiz"),
        path("results/<int:pk>/", phone.result, name="result"),
    ],
    "brief",
)
