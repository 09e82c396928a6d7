"""Page script; the page itself is assistant.ui.clauses_page."""

from assistant.ui import clauses_page
from assistant.ui.app import current

clauses_page.render(current())
