# Cloud Monitor alarms on the functions: errors, duration near the timeout, and throttles. The
# policy always exists and is bound to every function of the namespace (a policy binds nothing
# until objects are bound to it). It tells the relay's notice template — a URL callback to the
# alert-wecom function through the API domain, when there is one — and any templates given.

locals {
  # Cloud Monitor calls the relay through the custom domain's /hooks route (catalog: alert-wecom).
  alarm_relay_url = var.api_domain != "" ? "${var.api_certificate_id != "" ? "https" : "http"}://${var.api_domain}/hooks/cloud-monitor?token=${var.alert_relay_token}" : ""
}

resource "tencentcloud_monitor_alarm_notice" "relay" {
  count           = local.alarm_relay_url != "" ? 1 : 0
  name            = "${var.prefix}-wecom-relay"
  notice_type     = "ALL" # alarm and recovery
  notice_language = "zh-CN"

  url_notices {
    url        = local.alarm_relay_url
    start_time = 0
    end_time   = 86399
    weekday    = [1, 2, 3, 4, 5, 6, 7]
  }
}

resource "tencentcloud_monitor_alarm_policy" "functions" {
  policy_name  = "${var.prefix}-functions"
  monitor_type = "MT_QCE"
  # The policy type DescribeAllNamespaces lists for SCF; its metrics are QCE/SCF_V2's (Error,
  # Duration, Throttle…). UNCERTAIN until checked on an account: docs/deploy.md.
  namespace  = "scf_v2"
  remark     = "jianbao functions: errors, slow invocations, throttles"
  enable     = 1
  notice_ids = concat(tencentcloud_monitor_alarm_notice.relay[*].id, var.alarm_notice_ids)

  # Optional and computed lists that the policy leaves empty: the provider's SDK plans an empty
  # computed list as "known after apply" on every run, so they are left to the API.
  lifecycle {
    ignore_changes = [event_conditions, hierarchical_notices, notice_content_tmpl_bind_infos]
  }

  conditions {
    is_union_rule = 0
    rules {
      metric_name      = "Error"
      period           = 60
      operator         = "gt"
      value            = "5"
      continue_period  = 5
      notice_frequency = 3600
      is_power_notice  = 0
      description      = "more than 5 failed invocations a minute for 5 minutes"
    }
    rules {
      metric_name      = "Duration"
      period           = 60
      operator         = "gt"
      value            = "10000"
      continue_period  = 5
      notice_frequency = 3600
      is_power_notice  = 0
      description      = "average duration over 10 s for 5 minutes"
    }
    rules {
      metric_name      = "Throttle"
      period           = 60
      operator         = "gt"
      value            = "0"
      continue_period  = 3
      notice_frequency = 3600
      is_power_notice  = 0
      description      = "invocations throttled"
    }
  }
}

# Every function of the namespace, $LATEST and the alias alike (the dimensions Cloud Monitor's
# SCF_V2 namespace lists for a function; UNCERTAIN until checked on an account: docs/deploy.md).
resource "tencentcloud_monitor_policy_binding_object" "functions" {
  policy_id = tencentcloud_monitor_alarm_policy.functions.id

  dynamic "dimensions" {
    for_each = local.functions
    content {
      dimensions_json = jsonencode({ functionName = dimensions.key, namespace = tencentcloud_scf_namespace.this.namespace })
    }
  }
  depends_on = [tencentcloud_scf_function.fn]
}
