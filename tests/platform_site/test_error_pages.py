"""The error pages a production site (DEBUG off) shows: 404 and 403 in the visitor's language with
a way on, and a 500 page that needs no request, no database and no active language, so it says
everything in Chinese and in English."""

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import path
from django.views.defaults import server_error

from platform_site.urls import urlpatterns as site_urlpatterns

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("test-forbidden/", forbidden), path("test-broken/", broken), *site_urlpatterns]


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def assert_links_home_and_to_the_catalogue(html):
    assert 'href="/"' in html and 'href="/instruments/"' in html


def test_a_missing_page_says_so_in_chinese_with_a_way_on(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="zh-hans">' in html and "页面不存在" in html and "返回首页" in html
    assert "Page not found" not in html
    assert_links_home_and_to_the_catalogue(html)


def test_a_missing_page_says_so_in_english(client):
    response = english(client).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in html and "Page not found" in html and "Go to the home page" in html
    assert "页面不存在" not in html
    assert_links_home_and_to_the_catalogue(html)


def test_a_missing_object_gets_the_same_page(client):
    response = client.get("/instruments/999999/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_a_forbidden_page_says_so_in_both_languages(client):
    response = client.get("/test-forbidden/")
    html = response.content.decode()
    assert response.status_code == 403 and "无权访问" in html and "请先登录" in html
    assert_links_home_and_to_the_catalogue(html)
    response = english(Client()).get("/test-forbidden/")
    html = response.content.decode()
    assert response.status_code == 403 and "Access denied" in html and "log in first" in html
    assert "无权访问" not in html


def test_a_server_error_shows_the_plain_page_in_both_languages():
    response = Client(raise_request_exception=False).get("/test-broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错了" in html and "Something went wrong on our side" in html
    assert 'href="/"' in html
    assert "a bug in a view" not in html and "Traceback" not in html


def test_the_server_error_page_needs_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and "服务器出错了" in html and "Something went wrong" in html
