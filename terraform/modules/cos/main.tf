# The media bucket (private; browsers upload with presigned PUTs, so it needs CORS) and the code
# bucket for function zips and the FFmpeg layer.

variable "name" {
  type        = string
  description = "Bucket name prefix, e.g. jianbao-dev"
}

variable "force_clean" {
  type        = bool
  default     = false
  description = "Delete every object when the bucket is destroyed (dev and test; a bucket with objects cannot be deleted otherwise)"
}

variable "cors_origins" {
  type        = list(string)
  description = "The admin console's origins"
}

data "tencentcloud_user_info" "me" {}

locals {
  appid = data.tencentcloud_user_info.me.app_id
}

resource "tencentcloud_cos_bucket" "media" {
  bucket               = "${var.name}-media-${local.appid}"
  acl                  = "private"
  force_clean          = var.force_clean
  encryption_algorithm = "AES256"
  # Never versioned, in any environment: originals are evidence, and the upload URLs carry
  # x-cos-forbid-overwrite so that a second PUT is refused (409). COS ignores that header in a
  # bucket that has ever had versioning on, so turning it on would silently allow replacing an
  # original. Deleted media go through the application's soft delete and retention instead.
  versioning_enable = false

  cors_rules {
    allowed_origins = var.cors_origins
    allowed_methods = ["PUT", "GET", "HEAD"]
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 600
  }

  # Browsers' abandoned multipart uploads.
  lifecycle_rules {
    id            = "abort-multipart"
    filter_prefix = ""
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "tencentcloud_cos_bucket" "code" {
  bucket               = "${var.name}-code-${local.appid}"
  acl                  = "private"
  force_clean          = var.force_clean
  encryption_algorithm = "AES256"
  versioning_enable    = true

  lifecycle_rules {
    id            = "old-builds"
    filter_prefix = "functions/"
    expiration {
      days = 180
    }
  }
}

output "appid" {
  value = local.appid
}

output "uin" {
  value = data.tencentcloud_user_info.me.owner_uin
}

output "media_bucket" {
  value = tencentcloud_cos_bucket.media.bucket
}

output "code_bucket" {
  value = tencentcloud_cos_bucket.code.bucket
}

# The media bucket's URL as the provider reports it: "<bucket>.cos.<region>.myqcloud.com" without a
# scheme, or the configured cos_domain's scheme and host with the bucket in front (1.83.25).
output "media_bucket_url" {
  value = startswith(tencentcloud_cos_bucket.media.cos_bucket_url, "http") ? tencentcloud_cos_bucket.media.cos_bucket_url : "https://${tencentcloud_cos_bucket.media.cos_bucket_url}"
}
