from django.urls import path

from . import views

app_name = "permits"

urlpatterns = [
    path("", views.permit_list, name="list"),
    path("new/<slug:kind>/", views.permit_create, name="create"),
    path("<int:pk>/", views.permit_detail, name="detail"),
    path("<int:pk>/jsa/", views.jsa_save, name="jsa"),
    path("<int:pk>/jsa/sign/", views.jsa_sign, name="jsa_sign"),
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
]
