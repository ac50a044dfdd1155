/** The horizon network's kernel with the shared passes (forward, normal equations, vjp, Jacobian). */
import { forwardPass, jacobianPass, normalPass, vjpPass } from '../kernel.ts';
import { HorizonKernelCore } from './kernelCore.ts';
import type { StepTerm } from '../data.ts';

export class HorizonKernel extends HorizonKernelCore {
  forward(theta: ArrayLike<number>, out: Float64Array): Float64Array {
    return forwardPass(this, theta, out);
  }

  /** The fused pass (kernel.ts normalPass; `steps`: the rows' error common to their ω). */
  normal(theta: ArrayLike<number>, data: Float64Array, invSigma: Float64Array, chi: Float64Array, A: Float64Array, b: Float64Array, steps?: StepTerm): number {
    return normalPass(this, theta, data, invSigma, chi, A, b, steps);
  }

  vjp(theta: ArrayLike<number>, dy: ArrayLike<number>, chi: Float64Array, grad: Float64Array): void {
    vjpPass(this, theta, dy, chi, grad);
  }

  jacobian(theta: ArrayLike<number>, chi: Float64Array): Float64Array {
    return jacobianPass(this, theta, chi);
  }
}
