"""The Django admin in a real headless Chromium (issue 8, point 6): a staff user logs in, finds a
user by e-mail, deactivates them, and opens the task list filtered by status. Debian's chromium
and chromium-driver, installed by scripts/install_browser.sh (CI runs it), driven by Selenium
against pytest-django's live server. Screenshots: var/test-artifacts/admin-browser/.

Also here: the admin list pages run a fixed number of queries, whatever the number of rows.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from accounts.tests.helpers import login
from notifications.tests.factories import make_notification
from projects.models import Project
from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task
from tasks.tests.factories import make_task

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts" / "admin-browser"
# Without the networking switches Chromium keeps calling Google's hosts, which this sandbox
# refuses; --no-sandbox because CI runs as root.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--window-size=1400,1000",
)


def _browser_missing() -> str:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists()]
    if missing:
        return f"{', '.join(missing)} not installed (scripts/install_browser.sh installs them with apt-get)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (requirements-dev.txt)"
    return ""


@pytest.fixture
def browser(tmp_path) -> Iterator[Any]:
    reason = _browser_missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    try:
        yield driver
    finally:
        driver.quit()


def navigate(driver: Any, action: Any) -> None:
    """Runs ``action`` (a click, a form submit) and waits until the next page has replaced
    this one: elements found before then would go stale under the test."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    action()
    WebDriverWait(driver, 15).until(expected_conditions.staleness_of(page))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def screenshot(driver: Any, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    assert driver.save_screenshot(str(path)), f"no screenshot {path}"
    assert path.stat().st_size > 1000
    return path


@pytest.mark.django_db(transaction=True)
def test_staff_deactivates_a_user_and_filters_tasks_in_a_real_browser(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    staff = cast(User, UserFactory(email="staff@example.com", is_staff=True, is_superuser=True))
    target = cast(User, UserFactory(email="leaving.person@example.com", username="leaving"))
    UserFactory(email="staying.person@example.com", username="staying")
    project = cast(Project, ProjectFactory(owner=target, name="Leaving's project"))
    make_task(project=project, title="Finished report", status=Status.DONE)
    make_task(project=project, title="Open question", status=Status.TODO)

    # Log in.
    browser.get(f"{live_server.url}/admin/login/?next=/admin/")
    browser.find_element(By.NAME, "username").send_keys(staff.email)
    browser.find_element(By.NAME, "password").send_keys(DEFAULT_PASSWORD)
    screenshot(browser, "01-login")
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click)
    assert browser.current_url == f"{live_server.url}/admin/"
    assert browser.find_element(By.ID, "site-name").text == "Django administration"
    assert "Users" in browser.find_element(By.ID, "content-main").text
    screenshot(browser, "02-index")

    # Find the user by e-mail.
    browser.get(f"{live_server.url}/admin/accounts/user/")
    search = browser.find_element(By.ID, "searchbar")
    search.send_keys("leaving.person@example.com")
    navigate(browser, search.submit)
    rows = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert [row.find_element(By.CSS_SELECTOR, "th").text for row in rows] == ["leaving.person@example.com"]
    screenshot(browser, "03-user-found")

    # Deactivate them with the admin action.
    rows[0].find_element(By.CSS_SELECTOR, "input.action-select").click()
    Select(browser.find_element(By.NAME, "action")).select_by_value("deactivate_users")
    navigate(browser, browser.find_element(By.NAME, "index").click)
    messages = browser.find_element(By.CSS_SELECTOR, "ul.messagelist").text
    assert "1" in messages and "deactivated" in messages.lower(), messages
    screenshot(browser, "04-user-deactivated")
    target.refresh_from_db()
    assert target.is_active is False
    assert User.objects.get(email="staying.person@example.com").is_active is True

    # The task list, filtered by status through the sidebar filter.
    browser.get(f"{live_server.url}/admin/tasks/task/")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")) == 2
    done_filter = browser.find_element(
        By.CSS_SELECTOR, f"#changelist-filter a[href*='status__exact={Status.DONE.value}']"
    )
    navigate(browser, done_filter.click)
    assert f"status__exact={Status.DONE.value}" in browser.current_url
    titles = [
        row.find_element(By.CSS_SELECTOR, "th").text
        for row in browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    ]
    assert titles == ["Finished report"]
    screenshot(browser, "05-tasks-done")
    assert sorted(path.name for path in ARTIFACTS.glob("*.png")) == [
        "01-login.png",
        "02-index.png",
        "03-user-found.png",
        "04-user-deactivated.png",
        "05-tasks-done.png",
    ]


# --- admin list pages: a fixed number of queries ------------------------------------------


def _rows(count: int) -> None:
    """``count`` users, each with a project, a task, a notification and a login session."""
    for _ in range(count):
        user = cast(User, UserFactory())
        project = cast(Project, ProjectFactory(owner=user))
        task = cast(Task, make_task(project=project))
        make_notification(user=user, task=task)
        login(user)


ADMIN_LISTS = [
    "/admin/accounts/user/",
    "/admin/accounts/user/?q=example.com",
    "/admin/accounts/refreshsession/",
    "/admin/projects/project/",
    "/admin/tasks/task/",
    f"/admin/tasks/task/?status__exact={Status.TODO.value}",
    "/admin/notifications/notification/",
]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ADMIN_LISTS)
def test_admin_list_pages_run_a_fixed_number_of_queries(staff_client, url):
    _rows(1)
    one = _queries(staff_client, url)

    _rows(8)
    many = _queries(staff_client, url)

    assert many == one, f"{url}: {one} queries for 1 row, {many} for 9"
