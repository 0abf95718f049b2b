-- Allowed values of each dimension and their aliases (tag_values.csv), one row per spelling: the
-- value itself and every `|`-separated alias, each with the normalised form tags are matched on.
with

source as (
    select * from {{ source('mappings', 'mapping_tag_values') }}
),

spellings as (
    select
        dimension,
        value as allowed_value,
        value as spelling,
        false as is_alias
    from source
    union all
    select
        source.dimension,
        source.value as allowed_value,
        trim(aliases.spelling) as spelling,
        true as is_alias
    from source
    cross join unnest(string_split(coalesce(source.aliases, ''), '|')) as aliases (spelling)
    where trim(aliases.spelling) <> ''
),

final as (
    select
        dimension,
        allowed_value,
        spelling,
        is_alias,
        {{ normalize_tag_value('spelling') }} as spelling_normalized
    from spellings
)

select * from final
