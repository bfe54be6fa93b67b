# One environment of the backend: network, MySQL, Redis, buckets, the run role and the functions.
# The roots in terraform/envs/* call it with their sizes.

variable "env" {
  type = string
}

variable "region" {
  type = string
}

variable "availability_zone" {
  type = string
}

variable "second_zone" {
  type    = string
  default = ""
}

variable "build" {
  type = string
}

variable "mysql" {
  type = object({ cpu = number, mem_size = number, volume_size = number })
}

variable "redis" {
  type = object({ mem_size = number, replicas = number, replica_zone_ids = optional(list(number), []) })
}

variable "cors_origins" {
  type = list(string)
}

variable "public_base_url" {
  type        = string
  description = "Where certificate QR codes point (the public verification page)"
}

variable "http_entry" {
  type    = string
  default = "function_url"
}

variable "api_domain" {
  type    = string
  default = ""
}

variable "api_certificate_id" {
  type    = string
  default = ""
}

variable "console_domain" {
  type        = string
  default     = ""
  description = "The admin console's domain on CDN (its https origin belongs in cors_origins); empty: the COS website endpoint"
}

variable "console_certificate_id" {
  type    = string
  default = ""
}

variable "alarm_notice_ids" {
  type    = list(string)
  default = []
}

variable "bootstrap_admin_password" {
  type      = string
  sensitive = true
}

variable "dist_dir" {
  type = string
}

variable "ffmpeg_layer_zip" {
  type = string
}

variable "wecom_webhook_url" {
  type      = string
  sensitive = true
}

variable "watermark" {
  type        = object({ logo = string, position = string, opacity = string })
  default     = { logo = "", position = "bottom-right", opacity = "0.5" }
  description = "MEDIA_WATERMARK_*: logo is a PNG path the media functions can read (in a layer), empty for none"
}

locals {
  name = "jianbao-${var.env}"
}

module "network" {
  source            = "../network"
  name              = local.name
  availability_zone = var.availability_zone
}

module "mysql" {
  source            = "../mysql"
  name              = local.name
  availability_zone = var.availability_zone
  second_zone       = var.second_zone
  cpu               = var.mysql.cpu
  mem_size          = var.mysql.mem_size
  volume_size       = var.mysql.volume_size
  vpc_id            = module.network.vpc_id
  subnet_id         = module.network.data_subnet_id
  security_group_id = module.network.mysql_security_group_id
  client_cidr       = module.network.functions_cidr
}

module "redis" {
  source            = "../redis"
  name              = local.name
  availability_zone = var.availability_zone
  mem_size          = var.redis.mem_size
  replicas          = var.redis.replicas
  replica_zone_ids  = var.redis.replica_zone_ids
  vpc_id            = module.network.vpc_id
  subnet_id         = module.network.data_subnet_id
  security_group_id = module.network.redis_security_group_id
}

module "cos" {
  source       = "../cos"
  name         = local.name
  cors_origins = var.cors_origins
  # Dev and test are destroyed and made again; prod's photos and builds are never deleted with it.
  force_clean = var.env != "prod"
}

module "cam" {
  source       = "../cam"
  name         = local.name
  region       = var.region
  appid        = module.cos.appid
  uin          = module.cos.uin
  media_bucket = module.cos.media_bucket
  secret_name  = "${local.name}-app"
}

# Generated, never written down: they live only in the encrypted state and the functions' env.
resource "random_password" "jwt" {
  length  = 48
  special = false
}

resource "random_password" "pii" {
  length  = 48
  special = false
}

# Alertmanager and Cloud Monitor call the alert relay with ?token=<this> (output alert_relay_token).
resource "random_password" "alert_relay" {
  length  = 40
  special = false
}

module "functions" {
  source               = "../functions"
  prefix               = local.name
  region               = var.region
  build                = var.build
  code_bucket          = module.cos.code_bucket
  media_bucket         = module.cos.media_bucket
  role_name            = module.cam.role_name
  vpc_id               = module.network.vpc_id
  subnet_id            = module.network.functions_subnet_id
  ffmpeg_layer_object  = "/layers/ffmpeg-layer.zip"
  dist_dir             = var.dist_dir
  ffmpeg_layer_zip     = var.ffmpeg_layer_zip
  http_entry           = var.http_entry
  alarm_notice_ids     = var.alarm_notice_ids
  alert_relay_token    = random_password.alert_relay.result
  api_domain           = var.api_domain
  api_certificate_id   = var.api_certificate_id
  log_retention_days   = var.env == "prod" ? 30 : 7
  secret_recovery_days = var.env == "prod" ? 7 : 0
  # Plain settings; what the catalog says a function needs must be here or in secrets.
  env = {
    APP_ENV                  = var.env
    LOG_LEVEL                = "info"
    MYSQL_MAX_OPEN_CONNS     = "1" # one event at a time per instance: the budget counts one connection each
    REDIS_ADDR               = module.redis.addr
    PUBLIC_BASE_URL          = var.public_base_url
    CORS_ALLOWED_ORIGINS     = join(",", var.cors_origins)
    COS_BUCKET_URL           = module.cos.media_bucket_url
    MEDIA_WATERMARK_LOGO     = var.watermark.logo
    MEDIA_WATERMARK_POSITION = var.watermark.position
    MEDIA_WATERMARK_OPACITY  = var.watermark.opacity
  }
  # Secrets: into the environment's SSM secret, never into SCF variables.
  secrets = {
    MYSQL_DSN                = module.mysql.dsn
    REDIS_PASSWORD           = module.redis.password
    JWT_SECRET               = random_password.jwt.result
    PII_SECRET               = random_password.pii.result
    BOOTSTRAP_ADMIN_PASSWORD = var.bootstrap_admin_password
    WECOM_WEBHOOK_URL        = var.wecom_webhook_url
    ALERT_RELAY_TOKEN        = random_password.alert_relay.result
  }
}

module "console" {
  source         = "../console"
  name           = local.name
  region         = var.region
  appid          = module.cos.appid
  domain         = var.console_domain
  certificate_id = var.console_certificate_id
  api_base_url   = module.functions.api_base_url
}

output "console_url" {
  value = module.console.url
}

output "media_bucket" {
  value = module.cos.media_bucket
}

output "code_bucket" {
  value = module.cos.code_bucket
}

output "api_base_url" {
  value = module.functions.api_base_url
}

output "function_names" {
  value = module.functions.function_names
}

output "secret_name" {
  value = module.functions.secret_name
}

output "secret_names" {
  value = module.functions.secret_names
}

output "alert_relay_token" {
  value     = random_password.alert_relay.result
  sensitive = true
}
