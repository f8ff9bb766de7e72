"""The quality check's item lists (data): what every grade promises (DOMAIN.md: fully functional, tested,
wiped, unlocked, free of account locks) for every category, then each category's own tests. Staff edit
them in the admin. The names are English, translated through the catalogs (gettext_noop marks them)."""

from django.db import migrations
from django.utils.translation import gettext_noop

SHARED = [
    ("powers_on", gettext_noop("Powers on and starts normally")),
    ("data_wiped", gettext_noop("Data wiped (certified erasure)")),
    ("account_locks", gettext_noop("Free of account locks (every account signed out)")),
    ("buttons", gettext_noop("Buttons and switches")),
    ("charging", gettext_noop("Charging and charging port")),
]
PER_CATEGORY = {
    "smartphones": [
        ("unlocked", gettext_noop("Unlocked (no carrier or device-management lock)")),
        ("display_touch", gettext_noop("Display and touch")),
        ("cameras", gettext_noop("Cameras, front and back")),
        ("microphones", gettext_noop("Microphones")),
        ("speakers", gettext_noop("Speakers and earpiece")),
        ("sensors", gettext_noop("Sensors (proximity, face or fingerprint, motion)")),
        ("sim", gettext_noop("SIM and mobile network")),
        ("wireless", gettext_noop("Wi-Fi, Bluetooth and GPS")),
        ("battery_measured", gettext_noop("Battery health measured")),
    ],
    "tablets": [
        ("unlocked", gettext_noop("Unlocked (no carrier or device-management lock)")),
        ("display_touch", gettext_noop("Display and touch")),
        ("cameras", gettext_noop("Cameras, front and back")),
        ("microphones", gettext_noop("Microphones")),
        ("speakers", gettext_noop("Speakers")),
        ("sensors", gettext_noop("Sensors (face or fingerprint, motion)")),
        ("sim", gettext_noop("SIM and mobile network, if cellular")),
        ("wireless", gettext_noop("Wi-Fi and Bluetooth")),
        ("battery_measured", gettext_noop("Battery health measured")),
    ],
    "laptops": [
        ("unlocked", gettext_noop("Unlocked (no firmware or device-management lock)")),
        ("display", gettext_noop("Display")),
        ("keyboard_trackpad", gettext_noop("Keyboard and trackpad")),
        ("cameras", gettext_noop("Webcam")),
        ("microphones", gettext_noop("Microphones")),
        ("speakers", gettext_noop("Speakers")),
        ("ports", gettext_noop("Ports")),
        ("wireless", gettext_noop("Wi-Fi and Bluetooth")),
        ("battery_measured", gettext_noop("Battery health measured")),
    ],
    "consoles": [
        ("controllers", gettext_noop("Controllers")),
        ("video_output", gettext_noop("Video and audio output")),
        ("disc_drive", gettext_noop("Disc drive, if any")),
        ("storage", gettext_noop("Storage health")),
        ("wireless", gettext_noop("Wi-Fi and Bluetooth")),
    ],
    "smartwatches": [
        ("unlocked", gettext_noop("Unlocked (paired with no phone)")),
        ("display_touch", gettext_noop("Display and touch")),
        ("sensors", gettext_noop("Sensors (heart rate, motion)")),
        ("microphones", gettext_noop("Microphone")),
        ("speakers", gettext_noop("Speaker")),
        ("sim", gettext_noop("Mobile network, if cellular")),
        ("wireless", gettext_noop("Bluetooth and Wi-Fi")),
        ("battery_measured", gettext_noop("Battery health measured")),
    ],
    "audio": [
        ("sound", gettext_noop("Sound on both channels")),
        ("microphones", gettext_noop("Microphones")),
        ("noise_cancelling", gettext_noop("Noise cancelling, if any")),
        ("wireless", gettext_noop("Bluetooth pairing")),
        ("battery_measured", gettext_noop("Battery health measured")),
    ],
}


def forwards(apps, schema_editor):
    CheckItem = apps.get_model("workshop", "CheckItem")
    Category = apps.get_model("catalog", "Category")
    for position, (code, name) in enumerate(SHARED):
        CheckItem.objects.update_or_create(category=None, code=code, defaults={"name": name, "position": position})
    for slug, items in PER_CATEGORY.items():
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            continue
        for position, (code, name) in enumerate(items, start=len(SHARED)):
            CheckItem.objects.update_or_create(
                category=category, code=code, defaults={"name": name, "position": position}
            )


def backwards(apps, schema_editor):
    apps.get_model("workshop", "CheckItem").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workshop", "0001_initial"), ("catalog", "0007_ratings")]
    operations = [migrations.RunPython(forwards, backwards)]
