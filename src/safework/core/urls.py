from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path(
        "organizations/<int:pk>/active/",
        views.organization_set_active,
        name="organization_set_active",
    ),
    path("sites/", views.site_list, name="site_list"),
    path("sites/new/", views.site_create, name="site_create"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("sites/<int:pk>/active/", views.site_set_active, name="site_set_active"),
    path("work-areas/", views.work_area_list, name="work_area_list"),
    path("work-areas/new/", views.work_area_create, name="work_area_create"),
    path("work-areas/<int:pk>/edit/", views.work_area_edit, name="work_area_edit"),
    path("work-areas/<int:pk>/active/", views.work_area_set_active, name="work_area_set_active"),
]
