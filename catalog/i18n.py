"""Reference data stored in English in the database (grades, categories), marked here for translation.

`Grade.display_name`, `Grade.display_criteria` and `Category.display_name` pass the stored text through
gettext; `makemessages` finds the strings below.
"""

from django.utils.translation import gettext_noop

REFERENCE_STRINGS = (
    gettext_noop("Premium"),
    gettext_noop("Excellent"),
    gettext_noop("Good"),
    gettext_noop("Fair"),
    gettext_noop("Flawless, like new; only original or manufacturer-certified parts."),
    gettext_noop("No marks visible at 20 cm; no scratch on the screen."),
    gettext_noop("No marks visible at 50 cm."),
    gettext_noop("Visible scratches or dents; no cracks; fully working."),
    gettext_noop("Smartphones"),
    gettext_noop("Tablets"),
    gettext_noop("Laptops"),
    gettext_noop("Consoles"),
    gettext_noop("Smartwatches"),
    gettext_noop("Audio"),
)
