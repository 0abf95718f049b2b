-- One row per legacy CUR line item (CSV or Athena parquet flavour) from the deliveries that count.
{{ stage_aws_cur_line_items(source('aws_cur', 'line_items'), 'aws_cur') }}
