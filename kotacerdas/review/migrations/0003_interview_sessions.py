# Interview sessions (one per participation) and declared unavailable days of assessors and regions.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cycles', '0002_evaluation_stage'),
        ('regions', '0001_initial'),
        ('review', '0002_submission_conflicts_replies'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='InterviewSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('slot', models.PositiveSmallIntegerField(help_text="The day's slot (0 = the first).")),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('room', models.CharField(max_length=64, unique=True)),
                ('meeting_url', models.URLField(max_length=500)),
                ('sequence', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('invited_sequence', models.PositiveIntegerField(blank=True, null=True)),
                ('invited_emails', models.JSONField(blank=True, default=list)),
                ('invited_at', models.DateTimeField(blank=True, null=True)),
                ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('participation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='interview', to='cycles.participation')),
            ],
            options={
                'ordering': ['starts_at', 'participation__region__code'],
            },
        ),
        migrations.CreateModel(
            name='Unavailability',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('reason', models.CharField(max_length=300)),
                ('declared_at', models.DateTimeField(auto_now_add=True)),
                ('assessor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='unavailable_days', to='review.assessor')),
                ('declared_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='regions.region')),
            ],
            options={
                'verbose_name_plural': 'unavailabilities',
                'ordering': ['day', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('assessor__isnull', False), ('region__isnull', True)), models.Q(('assessor__isnull', True), ('region__isnull', False)), _connector='OR'), name='unavailability_of_assessor_or_region'), models.UniqueConstraint(condition=models.Q(('assessor__isnull', False)), fields=('assessor', 'day'), name='one_unavailability_per_assessor_day'), models.UniqueConstraint(condition=models.Q(('region__isnull', False)), fields=('region', 'day'), name='one_unavailability_per_region_day')],
            },
        ),
    ]
