# The function zips and the FFmpeg layer, uploaded from dist/ (scripts/build-functions,
# scripts/build-ffmpeg-layer) into the code bucket under the build's commit, so a rollback is
# an apply of an older build. The etag makes a changed zip upload again.

variable "dist_dir" {
  type        = string
  description = "Where scripts/build-functions wrote the zips (dist/functions)"
}

variable "ffmpeg_layer_zip" {
  type        = string
  description = "The layer zip from scripts/build-ffmpeg-layer"
}

resource "tencentcloud_cos_bucket_object" "function" {
  for_each     = local.functions
  bucket       = var.code_bucket
  key          = "/functions/${var.build}/${each.key}.zip"
  source       = "${var.dist_dir}/${each.key}.zip"
  content_type = "application/zip"
  etag         = filemd5("${var.dist_dir}/${each.key}.zip")
}

resource "tencentcloud_cos_bucket_object" "ffmpeg_layer" {
  bucket       = var.code_bucket
  key          = var.ffmpeg_layer_object
  source       = var.ffmpeg_layer_zip
  content_type = "application/zip"
  etag         = filemd5(var.ffmpeg_layer_zip)
}
