"""Transforms a SAM template to CloudFormation with the SAM translator that ships with the SAM CLI.

Usage: python sam-transform.py TEMPLATE PARAMETERS_JSON  (the transformed template as JSON on stdout)

The template is read the way the SAM CLI reads it (samcli.yamlhelper: the CloudFormation short-form
tags), its local CodeUri and DefinitionUri paths become S3 locations as `sam package` (and `sam
validate`, samcli/lib/translate/sam_template_validator.py _replace_local_codeuri) makes them, and it is
translated by samtranslator, the same code CloudFormation's AWS::Serverless transform runs. Managed
policy names resolve from the map samtranslator bundles; no AWS call is made.
"""
import json
import os
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform


class BundledManagedPolicies:
    """The managed policies a template names by name (AWSLambdaBasicExecutionRole, ...) come from
    samtranslator's own data; anything else would need IAM ListPolicies, which this refuses."""

    def load(self):
        raise RuntimeError("the template names a managed policy samtranslator does not know; give its ARN")


def packaged(template: dict) -> dict:
    """Local code and definition paths as the S3 objects `sam package` uploads them to."""
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "DefinitionUri"):
            if isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
                properties[key] = f"s3://keygate-packaged/{properties[key].strip('./') or 'root'}"
    return template


def main() -> None:
    template_path, parameters = sys.argv[1], json.loads(sys.argv[2])
    # The translator takes AWS::Region from a boto session (samtranslator/sdk/parameter.py).
    os.environ["AWS_DEFAULT_REGION"] = parameters["AWS::Region"]
    with open(template_path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    print(json.dumps(transform(packaged(template), parameters, BundledManagedPolicies())))


if __name__ == "__main__":
    main()
