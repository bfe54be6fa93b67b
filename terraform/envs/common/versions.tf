# Shared by every environment's root (linked into terraform/envs/<env>/): the pinned providers,
# the provider configuration, the root variables and outputs. Each root keeps only its backend
# and its sizes.

terraform {
  required_version = ">= 1.11" # what CI runs (1.11.4)
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
}

provider "tencentcloud" {
  region = var.region
}
