"""The ``sample_data`` pipeline: generate awards, recipients and truth into ``01_raw``."""

from kedro.pipeline import Node, Pipeline

from sbir_enrichment.pipelines.sample_data.nodes import generate_sample_data


def create_pipeline(**kwargs) -> Pipeline:
    """One node writing the three sample datasets."""
    return Pipeline(
        [
            Node(
                func=generate_sample_data,
                inputs="params:sample_data",
                outputs=["sample_sbir_awards", "sample_recipient_lookup", "sample_match_truth"],
                name="generate_sample_data_node",
            ),
        ]
    )
