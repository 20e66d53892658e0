variable "region" {
  type    = string
  default = "us-east-1"
}

variable "windows_retention" {
  type    = number
  default = 14
}
