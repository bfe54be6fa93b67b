# The test environment. State lives in COS (bucket given at init: see docs/deploy.md):
#   terraform init -backend-config="bucket=jianbao-tfstate-<appid>"

terraform {
  required_version = ">= 1.6"
  required_providers {
    tencentcloud = {
      source  = "tencentcloudstack/tencentcloud"
      version = "1.83.25"
    }
    random = {
      source  = "hashicorp/random"
      version = "3.6.3"
    }
  }
  backend "cos" {
    region  = "ap-guangzhou"
    prefix  = "jianbao/test"
    key     = "terraform.tfstate"
    encrypt = true
  }
}

provider "tencentcloud" {
  region = var.region
}

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
  type      = string
  sensitive = true
  default   = ""
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

module "stack" {
  source             = "../../modules/stack"
  env                = "test"
  region             = var.region
  availability_zone  = "ap-guangzhou-3"
  second_zone        = ""
  build              = var.build
  mysql              = { cpu = 1, mem_size = 1000, volume_size = 25 }
  redis              = { mem_size = 256, replicas = 1 }
  media_versioning   = false
  cors_origins       = ["https://admin-test.jianbao.example"]
  public_base_url    = "https://verify-test.jianbao.example"
  alarm_notice_ids   = var.alarm_notice_ids
  api_domain         = var.api_domain
  api_certificate_id = var.api_certificate_id
  dist_dir           = var.dist_dir
  ffmpeg_layer_zip   = var.ffmpeg_layer_zip

  bootstrap_admin_password = var.bootstrap_admin_password
  wecom_webhook_url        = var.wecom_webhook_url
}

output "api_base_url" {
  value = module.stack.api_base_url
}

output "media_bucket" {
  value = module.stack.media_bucket
}

output "code_bucket" {
  value = module.stack.code_bucket
}

output "function_names" {
  value = module.stack.function_names
}
