from django.urls import URLPattern, URLResolver, path

from awn.channels.webchat import views

app_name = "webchat"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("demo/sign-in", views.demo_sign_in, name="demo-sign-in"),
    path("chat/", views.chat, name="chat"),
    path("widget.js", views.widget_js, name="widget"),
]
