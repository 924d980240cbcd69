"""The browser tests' automatic accessibility check (tests/conftest.py ``AuditedContext``): every HTML
page a test loads is checked with axe-core when its context closes, and a serious or critical
violation fails the test."""

import pytest

from tests.conftest import AXE_FINDINGS

BROKEN = (
    '<!DOCTYPE html><html lang="zh-Hans"><head><title>坏页面</title></head>'
    '<body><main><h1>坏页面</h1><img src="/static/none.png"><a href="/"></a></main></body></html>'
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_with_serious_violations_fails_the_test_that_visited_it(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.route(
        "**/broken-page/",
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=BROKEN),
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/broken-page/")
    page.goto(f"{live_server.url}/instruments/")
    page.goto(f"{live_server.url}/no-such-page/")  # a 404 is not checked again
    assert context.visited == [f"{live_server.url}/broken-page/", f"{live_server.url}/instruments/"]
    context.close()
    message = "\n".join(AXE_FINDINGS)
    AXE_FINDINGS.clear()  # found as they should be: this test passes
    assert "/broken-page/: image-alt (critical)" in message
    assert "/broken-page/: link-name (serious)" in message
    assert "/instruments/" not in message  # the catalogue itself passes
