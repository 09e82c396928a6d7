"""Page script; the page itself is assistant.ui.coverage_page."""

from assistant.ui import coverage_page
from assistant.ui.app import current

coverage_page.render(current())
