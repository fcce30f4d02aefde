from django.db import migrations


def forwards(apps, schema_editor):
    from safework.certificates.catalogue import load_catalogue

    load_catalogue(apps.get_model("certificates", "CertificateType"))


class Migration(migrations.Migration):
    dependencies = [("certificates", "0002_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
