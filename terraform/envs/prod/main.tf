# The prod environment: its backend and sizes (the rest is linked from ../common). State lives in COS (bucket given at init: see docs/deploy.md):
#   terraform init -backend-config="bucket=jianbao-tfstate-<appid>"

terraform {
  backend "cos" {
    region  = "ap-guangzhou"
    prefix  = "jianbao/prod"
    key     = "terraform.tfstate"
    encrypt = true
  }
}

module "stack" {
  source             = "../../modules/stack"
  env                = "prod"
  region             = var.region
  availability_zone  = "ap-guangzhou-3"
  second_zone        = "ap-guangzhou-6"
  build              = var.build
  mysql              = { cpu = 2, mem_size = 4000, volume_size = 100 }
  redis              = { mem_size = 1024, replicas = 1, replica_zone_ids = [100006] } # the replica in ap-guangzhou-6
  cors_origins       = ["https://admin-prod.jianbao.example"]
  console_domain     = "admin-prod.jianbao.example"
  public_base_url    = "https://verify-prod.jianbao.example"
  alarm_notice_ids   = var.alarm_notice_ids
  api_domain         = var.api_domain
  api_certificate_id = var.api_certificate_id
  dist_dir           = var.dist_dir
  ffmpeg_layer_zip   = var.ffmpeg_layer_zip

  bootstrap_admin_password = var.bootstrap_admin_password
  wecom_webhook_url        = var.wecom_webhook_url
}
