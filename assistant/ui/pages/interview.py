"""Page script; the page itself is assistant.ui.interview_page."""

from assistant.ui import interview_page
from assistant.ui.app import current

interview_page.render(current())
