# Every function of the catalog (catalog.tf.json, generated from functions/catalog) as a
# tencentcloud_scf_function with its COS and timer triggers inline, the FFmpeg layer, the HTTP
# entry and alarms. The HTTP (Function URL) triggers are separate resources on the alias "live"
# (release.tf): inline triggers take no qualifier. Mixing the two styles is safe only on functions
# without inline triggers: the provider reads triggers back into trigger_info, never into
# triggers (checked in resource_tc_scf_function.go of 1.83.x), so a separate trigger is no diff.

variable "prefix" {
  type        = string
  description = "Function names start with it, e.g. jianbao-dev"
}

variable "region" {
  type = string
}

variable "build" {
  type        = string
  description = "The commit whose zips scripts/deploy uploaded under functions/<build>/ in the code bucket"
}

variable "code_bucket" {
  type = string
}

variable "media_bucket" {
  type = string
}

variable "role_name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "env" {
  type        = map(string)
  description = "Plain settings (no secrets): each function gets the ones its catalog entry needs or reads."
}

variable "secrets" {
  type        = map(string)
  sensitive   = true
  description = "Secret values (the names config.Secrets lists), written to the environment's SSM secret."
}

variable "ffmpeg_layer_object" {
  type        = string
  description = "Object key of the FFmpeg layer zip in the code bucket (scripts/build-ffmpeg-layer)"
}

variable "http_entry" {
  type        = string
  default     = "function_url"
  description = "function_url, or api_gateway where the account still has it (Tencent is retiring API Gateway)"
  validation {
    condition     = contains(["function_url", "api_gateway"], var.http_entry)
    error_message = "http_entry is function_url or api_gateway."
  }
}

variable "alert_relay_token" {
  type        = string
  sensitive   = true
  description = "The token Cloud Monitor's callback presents to the alert relay"
}

variable "alarm_notice_ids" {
  type        = list(string)
  default     = []
  description = "Cloud Monitor notice templates told when an alarm fires (empty: no alarms)"
}

locals {
  # Tencent stores buckets as name-appid and SCF's Code.CosBucketName wants the short name. The
  # layer resource passes what it is given, so it gets the short name; the function resource cuts
  # the last "-segment" itself on create and update (tencentcloud 1.83.25), so it must get the
  # full name — given the short one it cuts again and SCF finds no bucket.
  code_bucket_short = regex("^(.*)-[0-9]+$", var.code_bucket)[0]

  cos_triggers = {
    for name, f in local.functions : name => [
      for suffix in(f.cos == null ? [] : f.cos.Suffixes) : {
        name         = var.media_bucket
        type         = "cos"
        cos_region   = var.region
        trigger_desc = jsonencode({ event = f.cos.Event, filter = { Prefix = f.cos.Prefix, Suffix = suffix } })
      }
    ]
  }
  timer_triggers = {
    for name, f in local.functions : name => [
      for tname, cron in f.timers : { name = tname, type = "timer", cos_region = null, trigger_desc = cron }
    ]
  }
}

resource "tencentcloud_scf_namespace" "this" {
  namespace   = var.prefix
  description = "jianbao backend"
}

resource "tencentcloud_scf_layer" "ffmpeg" {
  depends_on          = [tencentcloud_cos_bucket_object.ffmpeg_layer]
  layer_name          = "${var.prefix}-ffmpeg"
  compatible_runtimes = ["Go1"]
  description         = "static ffmpeg and ffprobe under /opt/bin"
  content {
    cos_bucket_name   = local.code_bucket_short
    cos_object_name   = var.ffmpeg_layer_object
    cos_bucket_region = var.region
  }
}

resource "tencentcloud_scf_function" "fn" {
  for_each   = local.functions
  depends_on = [tencentcloud_cos_bucket_object.function]

  name              = each.key
  namespace         = tencentcloud_scf_namespace.this.namespace
  description       = each.value.description
  runtime           = "Go1"
  handler           = each.value.handler
  mem_size          = each.value.memory_mb
  timeout           = each.value.timeout_sec
  role              = var.role_name
  vpc_id            = var.vpc_id
  subnet_id         = var.subnet_id
  enable_public_net = true
  cos_bucket_name   = var.code_bucket
  cos_object_name   = "/functions/${var.build}/${each.key}.zip"
  cos_bucket_region = var.region
  cls_logset_id     = tencentcloud_cls_logset.this.id
  cls_topic_id      = tencentcloud_cls_topic.functions.id

  # What the catalog says the function needs must have a value (a missing one stops the plan at
  # var.env[k]); what it merely reads is passed when the stack sets it. Secrets never travel here:
  # the function reads them from SSM at cold start (secrets.tf).
  environment = merge(
    { for k in each.value.needs : k => var.env[k] },
    { for k in each.value.env : k => var.env[k] if lookup(var.env, k, "") != "" },
    length(concat(each.value.secrets_needed, each.value.secrets)) > 0 ? local.ssm_env : {},
    contains(each.value.layers, "ffmpeg") ? { FFMPEG_PATH = "/opt/bin/ffmpeg", FFPROBE_PATH = "/opt/bin/ffprobe" } : {},
  )

  dynamic "layers" {
    for_each = contains(each.value.layers, "ffmpeg") ? [1] : []
    content {
      layer_name    = tencentcloud_scf_layer.ffmpeg.layer_name
      layer_version = tencentcloud_scf_layer.ffmpeg.layer_version
    }
  }

  dynamic "triggers" {
    for_each = concat(local.cos_triggers[each.key], local.timer_triggers[each.key])
    content {
      name         = triggers.value.name
      type         = triggers.value.type
      cos_region   = triggers.value.cos_region
      trigger_desc = triggers.value.trigger_desc
    }
  }
}

output "function_names" {
  value = [for f in tencentcloud_scf_function.fn : f.name]
}

# Each function's reserved concurrency (the catalog's): its instances at most, so one function's
# burst is throttled before it takes MySQL's connections from the others (docs/deploy.md,
# "Connections when SCF scales out").
resource "tencentcloud_scf_reserved_concurrency_config" "fn" {
  for_each                 = { for name, f in local.functions : name => f if f.reserved_concurrency > 0 }
  function_name            = tencentcloud_scf_function.fn[each.key].name
  namespace                = tencentcloud_scf_namespace.this.namespace
  reserved_concurrency_mem = each.value.reserved_concurrency * each.value.memory_mb
}
