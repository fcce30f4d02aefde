from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("cameras/", views.camera_list, name="cameras"),
    path("cameras/new/", views.camera_create, name="camera_create"),
    path("cameras/<int:pk>/", views.camera_edit, name="camera"),
    path("permits/<int:pk>/", views.permit_evidence, name="permit"),
    path("permits/<int:pk>/packs/", views.permit_packs, name="packs"),
    path("permits/<int:pk>/packs/new/", views.pack_request, name="pack_request"),
    path("packs/<int:pk>/download/", views.pack_download, name="pack_download"),
    path("keyframes/<int:pk>.jpg", views.keyframe_image, name="keyframe"),
    path("segments/<int:pk>.mp4", views.segment_video, name="segment"),
]
