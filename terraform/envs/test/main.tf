# The test environment: its backend and sizes (the rest is linked from ../common). State lives in COS (bucket given at init: see docs/deploy.md):
#   terraform init -backend-config="bucket=jianbao-tfstate-<appid>"

terraform {
  backend "cos" {
    region  = "ap-guangzhou"
    prefix  = "jianbao/test"
    key     = "terraform.tfstate"
    encrypt = true
  }
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
  cors_origins       = ["https://admin-test.jianbao.example"]
  console_domain     = "admin-test.jianbao.example"
  public_base_url    = "https://verify-test.jianbao.example"
  alarm_notice_ids   = var.alarm_notice_ids
  api_domain         = var.api_domain
  api_certificate_id = var.api_certificate_id
  dist_dir           = var.dist_dir
  ffmpeg_layer_zip   = var.ffmpeg_layer_zip

  bootstrap_admin_password = var.bootstrap_admin_password
  wecom_webhook_url        = var.wecom_webhook_url
}
