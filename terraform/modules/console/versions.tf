# The providers this module uses: without this Terraform looks for hashicorp/tencentcloud.

terraform {
  required_providers {
    tencentcloud = {
      source = "tencentcloudstack/tencentcloud"
    }
  }
}
