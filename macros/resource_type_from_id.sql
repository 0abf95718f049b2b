{#- resource_type_from_id(resource_id): the kind of resource a provider's resource id names, read from
    the id's own grammar; NULL when the id follows none of these (the caller falls back, D47).
      AWS ARN      arn:aws:ec2:us-east-1:123456789012:instance/i-0abc  -> ec2:instance
                   arn:aws:s3:::my-bucket (no resource type)            -> s3
      Azure ARM    /subscriptions/../providers/Microsoft.Compute/virtualMachines/vm1
                                                                       -> microsoft.compute/virtualmachines
      Google Cloud //compute.googleapis.com/projects/p/zones/z/instances/vm-1
                                                                       -> compute.googleapis.com/instances
    Azure types are lower-cased (Azure writes them in either case); the others keep the id's text. -#}
{% macro resource_type_from_id(resource_id) -%}
    case
        when {{ resource_id }} like 'arn:%'
            then coalesce(
                nullif(
                    regexp_extract({{ resource_id }}, '^arn:[^:]*:([^:]+):[^:]*:[^:]*:([^/:]+)[/:]', 1)
                    || ':' || regexp_extract({{ resource_id }}, '^arn:[^:]*:([^:]+):[^:]*:[^:]*:([^/:]+)[/:]', 2),
                    ':'
                ),
                nullif(regexp_extract({{ resource_id }}, '^arn:[^:]*:([^:]+):', 1), '')
            )
        when lower({{ resource_id }}) like '%/providers/%'
            then nullif(regexp_extract(lower({{ resource_id }}), '/providers/([^/]+/[^/]+)', 1), '')
        when {{ resource_id }} like '//%'
            then nullif(
                regexp_extract({{ resource_id }}, '^//([^/]+)/(.*/)?([^/]+)/[^/]+$', 1)
                || '/' || regexp_extract({{ resource_id }}, '^//([^/]+)/(.*/)?([^/]+)/[^/]+$', 3),
                '/'
            )
    end
{%- endmacro %}
