# Logs to a searchable store: every function writes its JSON lines to one CLS topic of the
# environment (the seed's ELK, on Tencent Cloud). The TKE variant ships its pods' stdout to a
# topic of its own through TKE's log collector (tke/base/logconfig.yaml). The index makes the
# JSON fields (level, msg, request_id, route, status, err …) searchable; 30 days for prod,
# 7 elsewhere.

variable "log_retention_days" {
  type    = number
  default = 7
}

resource "tencentcloud_cls_logset" "this" {
  logset_name = var.prefix
}

resource "tencentcloud_cls_topic" "functions" {
  topic_name      = "${var.prefix}-functions"
  logset_id       = tencentcloud_cls_logset.this.id
  period          = var.log_retention_days
  storage_type    = "hot"
  auto_split      = true
  describes       = "JSON log lines of every jianbao function"
  partition_count = 1
}

resource "tencentcloud_cls_index" "functions" {
  topic_id = tencentcloud_cls_topic.functions.id
  status   = true
  rule {
    full_text {
      case_sensitive = false
      tokenizer      = "@&()='\",;:<>[]{}/ \n\t\r"
      contain_z_h    = true
    }
    key_value {
      case_sensitive = true
      dynamic "key_values" {
        for_each = ["level", "msg", "request_id", "route", "method", "path", "err", "media_id", "result"]
        content {
          key = key_values.value
          value {
            type      = "text"
            tokenizer = "@&()='\",;:<>[]{}/ \n\t\r"
            sql_flag  = true
          }
        }
      }
      dynamic "key_values" {
        for_each = ["status", "duration_ms"]
        content {
          key = key_values.value
          value {
            type     = "long"
            sql_flag = true
          }
        }
      }
    }
  }
}

output "log_topic_id" {
  value = tencentcloud_cls_topic.functions.id
}
