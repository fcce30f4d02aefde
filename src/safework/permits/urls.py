from django.urls import path

from . import views, views_simops

app_name = "permits"

urlpatterns = [
    path("", views.permit_list, name="list"),
    path("new/<slug:kind>/", views.permit_create, name="create"),
    path("<int:pk>/", views.permit_detail, name="detail"),
    path("<int:pk>/jsa/", views.jsa_save, name="jsa"),
    path("<int:pk>/jsa/sign/", views.jsa_sign, name="jsa_sign"),
    path("<int:pk>/jsa/document", views.jsa_document, name="jsa_document"),
    path("<int:pk>/people/", views.assign, name="assign"),
    path("<int:pk>/people/<int:row>/remove/", views.unassign, name="unassign"),
    path("<int:pk>/measures/<int:row>/", views.measure, name="measure"),
    path("<int:pk>/briefing/", views.briefing, name="briefing"),
    path("<int:pk>/gas/", views.gas, name="gas"),
    path("<int:pk>/new-from/", views.new_from, name="new_from"),
    path("<int:pk>/permit.pdf", views.pdf, name="pdf"),
    path("<int:pk>/do/<slug:name>/", views.action, name="action"),
    path("m/<str:token>/", views.mobile, name="mobile"),
    path("work-areas/<int:area_pk>/geofence/", views.geofence, name="geofence"),
    path(
        "people/<int:person_pk>/guardian-training/",
        views.guardian_training,
        name="guardian_training",
    ),
    # SIMOPS: site plan, positions, distances, activities, sign-offs; the live board
    path("sites/<int:site_pk>/simops/", views_simops.site_simops, name="site_simops"),
    path("sites/<int:site_pk>/simops/plan/", views_simops.plan_save, name="plan_save"),
    path("sites/<int:site_pk>/plan.jpg", views_simops.plan_image, name="plan_image"),
    path(
        "sites/<int:site_pk>/simops/areas/<int:area_pk>/",
        views_simops.area_position,
        name="area_position",
    ),  # fmt: skip
    path(
        "sites/<int:site_pk>/simops/distances/", views_simops.distances_save, name="distances_save"
    ),  # fmt: skip
    path("sites/<int:site_pk>/activities/", views_simops.activities, name="activities"),
    path("activities/<int:pk>/end/", views_simops.activity_end, name="activity_end"),
    path("<int:pk>/position/", views_simops.permit_position, name="position"),
    path("<int:pk>/simops/sign-off/", views_simops.signoff, name="signoff"),
    path("sites/<int:site_pk>/board/", views_simops.board, name="board"),
    path("sites/<int:site_pk>/board/live/", views_simops.board_live, name="board_live"),
    path(
        "sites/<int:site_pk>/board/links/", views_simops.board_link_create, name="board_link_create"
    ),  # fmt: skip
    path(
        "board-links/<int:pk>/revoke/", views_simops.board_link_revoke, name="board_link_revoke"
    ),  # fmt: skip
    path("board/<str:token>/", views_simops.kiosk, name="kiosk"),
    path("board/<str:token>/live/", views_simops.kiosk_live, name="kiosk_live"),
    path("board/<str:token>/plan.jpg", views_simops.kiosk_plan, name="kiosk_plan"),
]
