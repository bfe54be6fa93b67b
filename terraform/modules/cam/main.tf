# The functions' run role: SCF assumes it and hands its temporary keys to every invoke
# (TENCENTCLOUD_SECRETID/SECRETKEY/SESSIONTOKEN). It may read and write the media bucket and do
# nothing else but read the environment's SSM secret.

variable "name" {
  type = string
}

variable "region" {
  type = string
}

variable "appid" {
  type = string
}

variable "media_bucket" {
  type = string
}

variable "secret_name" {
  type        = string
  description = "The SSM secret holding the functions' secrets"
}

variable "uin" {
  type        = string
  description = "The account's root UIN (SSM resources are named by it)"
}

resource "tencentcloud_cam_role" "scf" {
  name          = "${var.name}-scf"
  console_login = false
  description   = "Run role of the jianbao functions"
  document = jsonencode({
    version = "2.0"
    statement = [{
      action    = ["name/sts:AssumeRole"]
      effect    = "allow"
      principal = { service = ["scf.qcloud.com"] }
    }]
  })
}

resource "tencentcloud_cam_policy" "media" {
  name        = "${var.name}-media"
  description = "Objects of the media bucket: read, write, copy (reprocess), delete (cleanup), list"
  document = jsonencode({
    version = "2.0"
    statement = [
      {
        effect = "allow"
        action = ["name/cos:GetObject", "name/cos:HeadObject", "name/cos:PutObject", "name/cos:PutObjectCopy",
        "name/cos:DeleteObject", "name/cos:InitiateMultipartUpload", "name/cos:UploadPart", "name/cos:CompleteMultipartUpload"]
        resource = ["qcs::cos:${var.region}:uid/${var.appid}:${var.media_bucket}/*"]
      },
      {
        effect   = "allow"
        action   = ["name/cos:GetBucket"]
        resource = ["qcs::cos:${var.region}:uid/${var.appid}:${var.media_bucket}/"]
      },
    ]
  })
}

resource "tencentcloud_cam_role_policy_attachment" "media" {
  role_id   = tencentcloud_cam_role.scf.id
  policy_id = tencentcloud_cam_policy.media.id
}

resource "tencentcloud_cam_policy" "secrets" {
  name        = "${var.name}-secrets"
  description = "Read the functions' SSM secret (at cold start)"
  document = jsonencode({
    version = "2.0"
    statement = [{
      effect   = "allow"
      action   = ["name/ssm:GetSecretValue"]
      resource = ["qcs::ssm:${var.region}:uin/${var.uin}:secret/creatorUin/${var.uin}/${var.secret_name}"]
    }]
  })
}

resource "tencentcloud_cam_role_policy_attachment" "secrets" {
  role_id   = tencentcloud_cam_role.scf.id
  policy_id = tencentcloud_cam_policy.secrets.id
}

output "role_name" {
  value = tencentcloud_cam_role.scf.name
}
