# Cloud Monitor alarms on the functions: errors, duration near the timeout, and throttles. The
# policy applies to the namespace's functions; notices go to the templates given (for example one
# that calls the WeCom relay). No notice templates, no alarms.

resource "tencentcloud_monitor_alarm_policy" "functions" {
  count        = length(var.alarm_notice_ids) > 0 ? 1 : 0
  policy_name  = "${var.prefix}-functions"
  monitor_type = "MT_QCE"
  # The policy type DescribeAllNamespaces lists for SCF; its metrics are QCE/SCF_V2's (Error,
  # Duration, Throttle…). UNCERTAIN until checked on an account: docs/deploy.md.
  namespace  = "scf_v2"
  remark     = "jianbao functions: errors, slow invocations, throttles"
  enable     = 1
  notice_ids = var.alarm_notice_ids

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
