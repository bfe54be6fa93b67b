# Root variables of every environment (linked into terraform/envs/<env>/).

variable "region" {
  type    = string
  default = "ap-guangzhou"
}

variable "build" {
  type        = string
  description = "The commit to deploy (scripts/deploy sets it)"
}

variable "dist_dir" {
  type        = string
  default     = "../../../dist/functions"
  description = "scripts/build-functions output"
}

variable "ffmpeg_layer_zip" {
  type        = string
  default     = "../../../dist/layers/ffmpeg-layer.zip"
  description = "scripts/build-ffmpeg-layer output"
}

variable "bootstrap_admin_password" {
  type      = string
  sensitive = true
}

variable "wecom_webhook_url" {
  type        = string
  sensitive   = true
  description = "The WeCom group robot's webhook: alerts and failed media go there"
  validation {
    condition     = can(regex("^https://", var.wecom_webhook_url))
    error_message = "wecom_webhook_url is the robot's https webhook URL."
  }
}

variable "api_domain" {
  type        = string
  default     = ""
  description = "A domain CNAMEd to SCF for one API base URL (empty: the functions' own URLs)"
}

variable "api_certificate_id" {
  type    = string
  default = ""
}

variable "alarm_notice_ids" {
  type    = list(string)
  default = []
}
