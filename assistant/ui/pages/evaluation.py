"""Page script; the page itself is assistant.ui.evaluation_page."""

from assistant.ui import evaluation_page
from assistant.ui.app import current

evaluation_page.render(current())
