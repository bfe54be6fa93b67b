module github.com/jianbao/admin/functions

go 1.26.8

require github.com/jianbao/admin/shared v0.0.0

replace github.com/jianbao/admin/shared => ../shared
