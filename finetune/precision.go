package finetune

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
)

// CheckPrecision refuses to fine-tune a bundle whose weights are stored as
// bfloat16 or int8: they are rounded for inference, and training on them
// would write a float32 bundle that silently started from rounded weights.
// The user widens them first (mvae quantize --precision f32), knowingly. A
// float16 bundle (the embedded model is one) widens exactly and trains.
func CheckPrecision(b *model.Bundle) error {
	switch p := b.Precision(); p {
	case model.BF16, model.Int8:
		return fmt.Errorf("the weights are stored as %s, for inference only; fine-tune the float32 bundle they came from, or widen them first with `mvae quantize --precision f32`", p)
	}
	return nil
}
