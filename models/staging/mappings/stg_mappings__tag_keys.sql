-- The tag keys that feed each allocation dimension (tag_keys.csv), with the normalised key that
-- billing data is matched on (case, spaces and punctuation do not matter).
with

source as (
    select * from {{ source('mappings', 'mapping_tag_keys') }}
),

final as (
    select
        dimension,
        tag_key,
        priority,
        {{ normalize_tag_key('tag_key') }} as tag_key_normalized
    from source
)

select * from final
