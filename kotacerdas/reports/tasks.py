"""Background tasks (``django.tasks`` with the ``django-tasks-db`` backend).

Run a worker with ``kotacerdas db_worker --queue-name reports``; ``kotacerdas reports`` starts its own.
"""

from django.tasks import task

from kotacerdas.reports import services


@task(queue_name="reports")
def generate_batch_item(item_id: int) -> str:
    """Generate one region's report of a batch; a no-op when it is done already or taken by another worker."""
    return services.run_batch_item(item_id)
