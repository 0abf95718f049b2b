-- One row per CUR 2.0 (Data Exports) line item.
{{ stage_aws_cur_line_items(source('aws_cur2', 'line_items'), 'aws_cur2') }}
